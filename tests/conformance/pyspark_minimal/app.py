print('min')
