-- kind: runtime
-- message: attempt to call a nil value (field 'exit')
os.exit(1) --< here
