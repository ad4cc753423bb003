-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 5
xpcall(function() error("first") end, function(message)
  while true do end
end)
return "escaped"
