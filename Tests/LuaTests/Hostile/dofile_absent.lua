-- kind: runtime
-- message: attempt to call a nil value (global 'dofile')
dofile("/etc/passwd") --< here
