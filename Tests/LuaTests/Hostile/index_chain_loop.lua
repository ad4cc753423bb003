-- expect: runtime
-- message: '__index' chain too long; possible loop
-- line: 7
local a, b = {}, {}
setmetatable(a, { __index = b })
setmetatable(b, { __index = a })
return a.missing
