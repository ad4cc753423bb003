--- Formatting shared by every bot.
local format = {}

--- 1234.5 → "R$ 1.234,50"
---@param value number
---@return string
function format.money(value)
  local cents = math.floor(value * 100 + 0.5)
  local whole, fraction = tostring(cents // 100), cents % 100
  whole = whole:reverse():gsub("(%d%d%d)", "%1."):reverse():gsub("^%.", "")
  return string.format("R$ %s,%02d", whole, fraction)
end

--- The first word of a contact's name, or a friendly fallback.
---@param name string|nil
---@return string
function format.first_name(name)
  return (name and name:match("^%s*(%S+)")) or "tudo bem"
end

return format
