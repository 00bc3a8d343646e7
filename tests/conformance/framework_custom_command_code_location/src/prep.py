print('cmd')
