// expect: 'range' is a parameter and cannot be called; it hides the built-in function, call sys.range(...)
param range int = 3

output indexes array = range(0, range)
