-- expect: runtime
-- message: attempt to index a nil value (global 'package')
-- line: 4
local open = package.loadlib("libc.so.6", "system")
