from util import clean
clean()
