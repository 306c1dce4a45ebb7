// expect: error[ESC]: invalid escape sequence '\\x'
var dash = 'em\x2014dash'

output dash string = dash
