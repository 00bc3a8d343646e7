print('ca')
