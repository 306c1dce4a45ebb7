// expect: 2:30: error[ESC]: invalid escape sequence '\\d'
var pattern = 'C:\\temp\\data\d'

output pattern string = pattern
