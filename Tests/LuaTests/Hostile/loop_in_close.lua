-- expect: instruction limit
-- message: instruction limit exceeded
-- line: 5
do
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
end
