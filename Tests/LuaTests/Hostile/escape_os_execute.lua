-- expect: runtime
-- message: attempt to call a nil value (field 'execute')
-- line: 4
os.execute("touch pwned")
