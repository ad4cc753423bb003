-- expect: runtime
-- message: stack overflow
-- line: 6
-- Every level goes through C (gsub calling back), to exhaust the C stack.
local function dive(s)
  return (string.gsub(s, ".", dive))
end
dive("x")
