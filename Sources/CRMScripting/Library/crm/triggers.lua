--- Keyword and pattern triggers, matched ignoring case and accents
--- ("preço" matches "PRECO"), and a router that runs the first that matches.
---
---     local triggers = require "crm.triggers"
---     local router = triggers.router()
---     router:keywords({ "preço", "valor" }, function(msg) msg:reply("...") end)
---     router:pattern("pedido%s*#?(%d+)", function(msg, number) ... end)
---     router:otherwise(function(msg) ... end)
---     on("message", function(msg) router:dispatch(msg) end)
---@class crm.triggers
local triggers = {}

local text = require "crm.text"

--- The first keyword found in `s` (folded), or nil. Keywords match as whole
--- words or phrases unless `options.anywhere` is true.
---@param s string
---@param keywords string[]
---@param options? { anywhere: boolean }
---@return string|nil keyword
function triggers.keyword(s, keywords, options)
  local folded = text.fold(s)
  for _, keyword in ipairs(keywords) do
    if options and options.anywhere then
      if folded:find(text.fold(keyword), 1, true) then return keyword end
    elseif text.has_word(folded, keyword) then
      return keyword
    end
  end
  return nil
end

--- Matches a Lua pattern against the folded text; returns its captures (or the
--- whole match), or nil. Write the pattern in lower case without accents.
---@param s string
---@param pattern string
---@return string|nil ...
function triggers.match(s, pattern)
  return text.fold(s):match(pattern)
end

---@class crm.triggers.Router
---@field private rules { test: fun(s: string): any, handler: function }[]
---@field private fallback function|nil
local Router = {}
Router.__index = Router

--- A router: rules are tried in the order they were added.
---@return crm.triggers.Router
function triggers.router()
  return setmetatable({ rules = {}, fallback = nil }, Router)
end

--- Runs `handler(msg, keyword)` when the message has one of the keywords.
---@param keywords string[]
---@param handler fun(msg: crm.Message, keyword: string)
---@param options? { anywhere: boolean }
---@return crm.triggers.Router
function Router:keywords(keywords, handler, options)
  self.rules[#self.rules + 1] = {
    test = function(s)
      local keyword = triggers.keyword(s, keywords, options)
      if keyword then return { keyword } end
    end,
    handler = handler,
  }
  return self
end

--- Runs `handler(msg, captures...)` when the folded text matches the pattern.
---@param pattern string
---@param handler fun(msg: crm.Message, ...: string)
---@return crm.triggers.Router
function Router:pattern(pattern, handler)
  self.rules[#self.rules + 1] = {
    test = function(s)
      local captures = table.pack(triggers.match(s, pattern))
      if captures[1] ~= nil then return captures end
    end,
    handler = handler,
  }
  return self
end

--- Runs `handler(msg)` when no rule matched.
---@param handler fun(msg: crm.Message)
---@return crm.triggers.Router
function Router:otherwise(handler)
  self.fallback = handler
  return self
end

--- Runs the first matching rule; returns whether one (or the fallback) ran.
---@param msg crm.Message
---@return boolean
function Router:dispatch(msg)
  for _, rule in ipairs(self.rules) do
    local captures = rule.test(msg.text or "")
    if captures then
      rule.handler(msg, table.unpack(captures, 1, captures.n or #captures))
      return true
    end
  end
  if self.fallback then
    self.fallback(msg)
    return true
  end
  return false
end

return triggers
