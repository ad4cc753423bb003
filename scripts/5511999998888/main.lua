-- Vendas (sales): answers price questions with the table, marks the contact as
-- a lead for the sales queue, and answers once per burst out of business hours.
local triggers = require "crm.triggers"
local hours = require "crm.hours"
local debounce = require "crm.debounce"
local format = require "format"
local pricing = require "pricing"

local office = hours.new {
  zone = "-03:00",
  weekdays = { "09:00", "18:00" },
  sat = { "09:00", "13:00" },
}

local router = triggers.router()

router:keywords({ "preço", "valor", "quanto custa", "tabela", "plano" }, function(msg)
  msg:reply("Olá, " .. format.first_name(msg.name) .. "! Segue nossa tabela:\n" .. pricing.table_text())
  crm.tag(msg.conversation, "lead")
  crm.assign(msg.conversation, "sales")
end)

router:pattern("pedido%s*#?(%d+)", function(msg, number)
  msg:reply("Vou verificar o pedido #" .. number .. " e já retorno.")
  crm.tag(msg.conversation, "pedido")
  crm.assign(msg.conversation, "sales")
end)

router:otherwise(function(msg)
  msg:reply("Olá! Digite *preço* para ver nossos planos ou *pedido* e o número para acompanhar uma compra.")
end)

on("message", function(msg)
  if msg.is_group then return end
  if not office:is_open(msg.at) then
    debounce.push(msg, 60)
    return
  end
  router:dispatch(msg)
end)

on("timer", function(t)
  local burst = debounce.take(t)
  if burst == nil then return end
  crm.send(burst.conversation, "Obrigado pelo contato! Nosso horário de atendimento é de segunda a sexta, "
    .. "das 9h às 18h, e sábado, das 9h às 13h. Voltamos " .. office:describe() .. ".")
  crm.tag(burst.conversation, "fora-do-horario")
end)
