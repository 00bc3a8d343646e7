print('pt')
