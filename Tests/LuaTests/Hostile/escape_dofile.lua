-- expect: runtime
-- message: attempt to call a nil value (global 'dofile')
-- line: 5
local ok = pcall(loadfile, "/etc/passwd")
dofile("/etc/passwd")
