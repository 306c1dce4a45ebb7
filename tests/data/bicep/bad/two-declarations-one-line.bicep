// expect: 2:26: error[NL-DECL]
param a string = 'alpha' param b string = 'beta'

output ab string = '${a}${b}'
