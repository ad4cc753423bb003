-- expect: runtime
-- message: attempt to index a nil value (global 'io')
-- line: 4
local passwd = io.open("/etc/passwd"):read("a")
