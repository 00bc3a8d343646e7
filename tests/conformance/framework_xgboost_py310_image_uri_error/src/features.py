print('xgb')
