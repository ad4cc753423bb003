-- expect: runtime
-- message: attempt to call a nil value (field 'getenv')
-- line: 4
return os.getenv("HOME")
