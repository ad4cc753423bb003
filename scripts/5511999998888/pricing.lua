--- The sales price list.
local format = require "format"

local pricing = {}

pricing.items = {
  { name = "Plano Básico", price = 99.9 },
  { name = "Plano Pro", price = 249 },
  { name = "Plano Empresa", price = 1290 },
}

---@return string
function pricing.table_text()
  local lines = {}
  for _, item in ipairs(pricing.items) do
    lines[#lines + 1] = string.format("• %s: %s/mês", item.name, format.money(item.price))
  end
  return table.concat(lines, "\n")
end

return pricing
