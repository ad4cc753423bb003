-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 7
-- Swallows the stop with pcall, then keeps working in the caller.
local function spin()
  local x = 0
  while true do x = x + 1 end
end
local caught = 0
for i = 1, 1e9 do
  local ok = pcall(spin)
  if not ok then caught = caught + 1 end
end
