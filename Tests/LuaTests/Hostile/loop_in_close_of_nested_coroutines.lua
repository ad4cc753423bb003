-- kind: instruction limit
-- message: instruction limit exceeded
-- The stop of the inner coroutine travels through the outer one: neither
-- runs its __close handler without hooks.
local outer = coroutine.wrap(function()
  local a <close> = setmetatable({}, { __close = function() while true do end end })
  local inner = coroutine.wrap(function()
    local b <close> = setmetatable({}, { __close = function() while true do end end })
    while true do end --< here
  end)
  pcall(inner)
  while true do end
end)
pcall(outer)
while true do end
