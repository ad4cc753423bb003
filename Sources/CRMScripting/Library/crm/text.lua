--- Text helpers for matching what people type: case and accents do not matter.
--- `text.fold("Preço À VISTA")` is `"preco a vista"`.
---@class crm.text
local text = {}

local plain = {}
local function map(accented, base)
  local i = 1
  for _, code in utf8.codes(accented) do
    plain[utf8.char(code)] = base:sub(i, i)
    i = i + 1
  end
end
map("àáâãäåÀÁÂÃÄÅ", "aaaaaaaaaaaa")
map("çÇ", "cc")
map("èéêëÈÉÊË", "eeeeeeee")
map("ìíîïÌÍÎÏ", "iiiiiiii")
map("ñÑ", "nn")
map("òóôõöÒÓÔÕÖ", "oooooooooo")
map("ùúûüÙÚÛÜ", "uuuuuuuu")
map("ýÿÝ", "yyy")

--- Lower case without accents, with runs of spaces made one and the ends trimmed.
---@param s string
---@return string
function text.fold(s)
  s = tostring(s or ""):gsub("[\xC3][\x80-\xBF]", plain):lower()
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

--- Whether `s` contains `word` as a whole word, ignoring case and accents.
---@param s string
---@param word string
---@return boolean
function text.has_word(s, word)
  local folded = " " .. text.fold((text.fold(s):gsub("%p", " "))) .. " "
  local wanted = text.fold((text.fold(word):gsub("%p", " ")))
  return folded:find(" " .. wanted .. " ", 1, true) ~= nil
end

return text
