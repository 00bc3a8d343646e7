print('sk')
