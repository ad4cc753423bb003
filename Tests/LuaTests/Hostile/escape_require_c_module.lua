-- expect: runtime
-- message: attempt to call a nil value (global 'require')
-- line: 4
local socket = require("socket.core")
