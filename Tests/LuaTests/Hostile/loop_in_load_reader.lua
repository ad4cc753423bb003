-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 6
-- load calls its reader from C for each piece.
load(function()
  while true do end
end)
