import sys
print("prep", sys.argv[1:])
