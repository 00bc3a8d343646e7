print('hf')
