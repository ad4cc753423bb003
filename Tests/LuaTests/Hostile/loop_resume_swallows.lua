-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
-- resume returns false on the stop; the script ignores it and starts new ones.
while true do
  local co = coroutine.create(function() while true do end end)
  coroutine.resume(co)
end
