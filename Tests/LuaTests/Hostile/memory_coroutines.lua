-- expect: memory limit
-- message: memory limit exceeded
-- line: 7
-- Each coroutine carries its own stack.
local threads = {}
for i = 1, 1e9 do
  threads[i] = coroutine.create(function() end)
end
