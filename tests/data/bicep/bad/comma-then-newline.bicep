// expect: 3:13: error[SEP]: unexpected newline after ','
var zones = [
  'pypi.org',
  'files.pythonhosted.org'
]

output zones array = zones
