-- kind: runtime
-- message: tables with a __len metamethod are not allowed
local huge = setmetatable({}, { __len = function() return math.maxinteger - 1 end, __newindex = rawequal })
table.insert(huge, 1, "x") --< here
