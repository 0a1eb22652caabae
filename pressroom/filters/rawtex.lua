-- Raw LaTeX in a Markdown manuscript (`\slash`, `\emph{}`, `\textit{}`, `\url{}`, `\ldots`,
-- `\newpage`): pandoc's HTML and Word writers drop it silently, taking its text with it. Here
-- pandoc's own LaTeX reader turns each piece into Markdown's elements; a command it does not
-- know keeps its text, in a span of class `raw-tex` that pressroom reports at its line.

-- Commands that only space, indent or style pages: they carry no text, and the page's own
-- style decides.
local SPACING = {
  vspace = true, hspace = true, noindent = true, indent = true, smallskip = true,
  medskip = true, bigskip = true, centering = true, par = true, hfill = true, vfill = true,
  raggedright = true, raggedleft = true, ['vspace*'] = true, ['hspace*'] = true,
  -- page styles and numbering: the page's own style decides those too
  pagenumbering = true, pagestyle = true, thispagestyle = true, frontmatter = true,
  mainmatter = true, backmatter = true, singlespacing = true, onehalfspacing = true,
  doublespacing = true, SingleSpacing = true, OnehalfSpacing = true, DoubleSpacing = true,
  setstretch = true, vskip = true, hskip = true,
  linespread = true,
  -- lengths and type sizes set for what follows (`\setlength{\parindent}{-0.2in}`, `\small`
  -- before a bibliography, as LaTeX templates style one): the stylesheet sets those
  setlength = true, addtolength = true, tiny = true, scriptsize = true, footnotesize = true,
  small = true, normalsize = true, large = true, Large = true, LARGE = true, huge = true,
  Huge = true,
  -- LaTeX's switch to lettered appendices: the appendix's own headings say what it is
  appendix = true,
}

-- True for a command of SPACING with only its arguments: `\vspace{1em}`, `\setlength{\x}{2pt}`.
local function spacing_only(text)
  local name, rest = text:match('^\\([%a]+%*?)(.*)$')
  if not (name and SPACING[name]) then return false end
  if rest:match('^%s*{?[^{}]*}?%s*$') then return true end
  repeat
    local n
    rest, n = rest:gsub('^%s*{[^{}]*}', '', 1)
  until n == 0
  return rest:match('^%s*$') ~= nil
end

local function unknown(text)
  if spacing_only(text) then return {} end
  return pandoc.Span({pandoc.Str(text)}, {class = 'raw-tex'})
end

-- The block a piece of raw LaTeX becomes: nothing for a spacing command, else its text.
local function unknown_block(text)
  local inline = unknown(text)
  if inline.t == nil then return {} end
  return pandoc.Para({inline})
end

local function read(text)
  local ok, doc = pcall(pandoc.read, text, 'latex+raw_tex')
  if not ok then return nil end
  return doc.blocks
end

local function is_tex(format)
  return format == 'tex' or format == 'latex'
end

-- LaTeX's cross-references, as JOSS papers write them in Markdown: `\label{fig:x}` in a caption
-- or heading names it, `\autoref{fig:x}`, `\ref{...}`, `\eqref{...}`, `\cref{...}` refer to it.
-- Each becomes a span that crossref.lua resolves (or, unresolved, prints as written, reported).
local REFS = {ref = true, autoref = true, cref = true, Cref = true, eqref = true}

local function reference(text)
  local command, arg = text:match('^\\(%a+)%s*{([^{}]*)}$')
  if command == 'label' then
    return pandoc.Span({}, {class = 'tex-label', label = arg})
  end
  if command and REFS[command] then
    return pandoc.Span({pandoc.Str(text)}, {class = 'tex-ref', command = command, keys = arg})
  end
  return nil
end

-- Whether any raw LaTeX inline was read: only then can a paragraph have lost all its text.
local read_inline = false

local function raw_inline(el)
  if not is_tex(el.format) then return nil end
  read_inline = true
  local ref = reference(el.text)
  if ref then return ref end
  local blocks = read(el.text)
  if blocks == nil then return unknown(el.text) end
  local inlines = pandoc.utils.blocks_to_inlines(blocks)
  if #inlines == 0 and not el.text:match('^\\[%a]+%s*{?}?$') then return unknown(el.text) end
  return inlines:walk({
    RawInline = function(r) return unknown(r.text) end,
  })
end

-- Commands that stand for a block of their own: a page break, or a marker where the table of
-- contents or a list of figures or tables goes (toc.py makes them).
local BLOCK_COMMANDS = {
  newpage = 'page-break', clearpage = 'page-break', pagebreak = 'page-break',
  cleardoublepage = 'page-break', tableofcontents = 'toc-here', listoffigures = 'lof-here',
  listoftables = 'lot-here',
}

-- A raw block made only of such commands (`\newpage\listoffigures`): their divs, in order.
local function block_commands(text)
  local divs = {}
  local rest = text:gsub('\\(%a+)', function(name)
    local cls = BLOCK_COMMANDS[name]
    if cls then table.insert(divs, pandoc.Div({}, {class = cls})) return '' end
    return nil
  end)
  if #divs == 0 or rest:match('%S') then return nil end
  return divs
end

-- Inlines with nothing to print: what is left of a line of commands that space or style pages.
local function blank(inlines)
  for _, el in ipairs(inlines) do
    if el.t ~= 'Space' and el.t ~= 'SoftBreak' and el.t ~= 'LineBreak' then return false end
  end
  return true
end

-- Where biblatex's `\printbibliography` or BibTeX's `\bibliography{refs}` stands, the
-- bibliography goes: citeproc fills the div `refs` (unless the document has its own
-- `::: {#refs}`, which one_bibliography keeps).
local placed_bibliography = false

local function bibliography_place(text)
  local rest = text:match('^%s*\\printbibliography(.*)$') or text:match('^%s*\\bibliography(.*)$')
  if not rest or rest:gsub('%b[]', ''):gsub('%b{}', ''):match('%S') then return nil end
  placed_bibliography = true
  return pandoc.Div({}, {id = 'refs', class = 'tex-bibliography'})
end

-- Environments that set a quotation (`\begin{aquote}{Who}`, csquotes' `displayquote`, an
-- `epigraph`), which pandoc's reader keeps as raw LaTeX: the text is set as a block quotation,
-- read as the LaTeX it is (notes, italics), and the arguments before it (its source) close it
-- after a dash.
local function quotation(text)
  local name, rest = text:match('^%s*\\begin{(%a+)}(.*)$')
  if not name or not (name:match('quote') or name == 'epigraph' or name == 'quotation') then
    return nil
  end
  local body = rest:match('^(.*)\\end{' .. name .. '}%s*$')
  if not body then return nil end
  local sources = {}
  repeat
    local arg, after = body:match('^%s*(%b{})(.*)$')
    if not arg then arg, after = body:match('^%s*(%b[])(.*)$') end
    if arg then
      table.insert(sources, arg:sub(2, -2))
      body = after
    end
  until not arg
  local blocks = read(body)
  if blocks == nil then return nil end
  for _, source in ipairs(sources) do
    local inlines = pandoc.utils.blocks_to_inlines(read(source) or {})
    if #inlines > 0 then
      inlines:insert(1, pandoc.Space())
      inlines:insert(1, pandoc.Str('\u{2014}'))
      blocks:insert(pandoc.Para(inlines))
    end
  end
  return pandoc.BlockQuote(blocks)
end

local function raw_block(el)
  if not is_tex(el.format) then return nil end
  local divs = block_commands(el.text)
  if divs then return divs end
  local place = bibliography_place(el.text)
  if place then return place end
  local quoted = quotation(el.text)
  if quoted then
    return quoted:walk({
      RawInline = function(r) return unknown(r.text) end,
      RawBlock = function(r) return unknown_block(r.text) end,
    })
  end
  local blocks = read(el.text)
  if blocks == nil or #blocks == 0 then
    return unknown_block(el.text)
  end
  return blocks:walk({
    RawInline = function(r) return unknown(r.text) end,
    RawBlock = function(r) return unknown_block(r.text) end,
    -- what held only a command that spaces or styles pages holds nothing
    Para = function(p) if blank(p.content) then return {} end end,
  })
end

-- A paragraph that held only such commands (`\noindent` on a line of its own) holds nothing:
-- it goes, so that no empty paragraph stands between a heading and what follows it. pandoc's
-- Markdown reader makes no paragraph without text, so a document without raw LaTeX inlines
-- is not walked for them: that walk would hand every paragraph to Lua (0.8 s of the 300-page
-- manuscript's citeproc run).
local function drop_blank(p)
  if blank(p.content) then return {} end
end

-- One place for the bibliography: the author's own `::: {#refs}` if there is one (a Quarto
-- paper keeps `\printbibliography` for its LaTeX output beside it), else the first command's.
local function one_bibliography(doc)
  local own, first = false, true
  doc:walk({Div = function(d)
    if d.identifier == 'refs' and not d.classes:includes('tex-bibliography') then own = true end
  end})
  return doc:walk({Div = function(d)
    if not d.classes:includes('tex-bibliography') then return nil end
    if own or not first then return {} end
    first = false
    return pandoc.Div({}, {id = 'refs'})
  end})
end

-- pandoc runs the functions of a filter kind by kind, each over the whole document, the
-- metadata too: the raw inlines first, then the raw blocks, then the whole document.
return {
  {
    RawInline = raw_inline,
    RawBlock = raw_block,
    -- raw LaTeX written with a raw attribute (```{=latex}), which cite.py makes this class
    Code = function(el)
      if el.classes:includes('raw-tex') then return raw_inline(pandoc.RawInline('latex', el.text)) end
    end,
    CodeBlock = function(el)
      if el.classes:includes('raw-tex') then return raw_block(pandoc.RawBlock('latex', el.text)) end
    end,
    Pandoc = function(doc)
      if placed_bibliography then doc = one_bibliography(doc) end
      if read_inline then return doc:walk({Para = drop_blank}) end
      return doc
    end,
  },
}
