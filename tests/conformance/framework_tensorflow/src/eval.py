print('tf')
