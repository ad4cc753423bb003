-- kind: runtime
-- message: attempt to index a string value
-- getmetatable("") answers "locked", not the metatable.
getmetatable("").__index = { upper = function() return "pwned" end } --< here
