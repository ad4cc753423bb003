-- kind: runtime
-- message: attempt to call a nil value (field 'dump')
return string.dump(print) --< here
