print('mx')
