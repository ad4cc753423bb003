-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
local trap = setmetatable({}, {
  __index = function(t, key)
    while true do end
  end,
})
return trap.anything
