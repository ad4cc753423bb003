-- expect: runtime
-- message: attempt to index a string value
-- line: 8
-- Replacing string methods would leak into every script of the state.
local mt = getmetatable("")
assert(mt == "locked", "the string metatable is reachable")
mt.__index = { upper = function() return "pwned" end }
