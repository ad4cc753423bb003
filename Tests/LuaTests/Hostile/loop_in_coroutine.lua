-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
-- A coroutine is a separate thread: its hook must count too.
local spin = coroutine.wrap(function()
  while true do end
end)
spin()
