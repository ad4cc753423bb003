-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
-- table.concat is C; __index on the list runs Lua for every element.
local list = setmetatable({}, { __index = function(t, i)
  local s = 0 for k = 1, 1e9 do s = s + k end
end })
return table.concat(list, ",", 1, 10)
