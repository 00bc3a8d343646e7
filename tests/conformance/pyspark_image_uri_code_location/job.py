print('img')
