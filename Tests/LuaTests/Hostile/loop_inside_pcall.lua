-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 7
-- Catches every error and starts again, hoping the budget resets.
while true do
  pcall(function()
    while true do end
  end)
end
