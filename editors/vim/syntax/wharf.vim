" Vim syntax file for Wharf (.wharf): typed configuration for Amazon ECS.
" Install: copy editors/vim/syntax/wharf.vim to ~/.vim/syntax/ and
" editors/vim/ftdetect/wharf.vim to ~/.vim/ftdetect/ (or the same folders
" under ~/.config/nvim/).

if exists("b:current_syntax")
  finish
endif

syn keyword wharfTodo contained TODO FIXME XXX NOTE
syn region wharfComment start="//" end="$" contains=wharfTodo,@Spell
syn region wharfComment start="/\*" end="\*/" contains=wharfTodo,@Spell

syn match wharfEscape contained /\\[\\"ntr$]/
syn region wharfInterp contained matchgroup=wharfInterpDelim start="\${" end="}"
syn region wharfString start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ contains=wharfEscape,wharfInterp

" Statement heads: the first word of a line, or after `{` or `;`.
syn match wharfProperty /\%(^\|[{;]\)\s*\zs[A-Za-z_][A-Za-z0-9_-]*/
syn match wharfDecl /\%(^\|[{;]\)\s*\zs\%(network\|cluster\|alb\|nlb\|task\|service\|job\|schedule\|template\|environment\|container\|sidecar\|ambassador\|init\|log_router\)\>/ nextgroup=wharfName skipwhite
syn match wharfName contained /[A-Za-z_][A-Za-z0-9_-]*/
syn match wharfBinding /\%(^\|[{;]\)\s*\zs\%(let\|input\|param\)\>/ nextgroup=wharfConstName skipwhite
syn match wharfConstName contained /[A-Za-z_][A-Za-z0-9_-]*/
syn match wharfSetting /\%(^\|[{;]\)\s*\zs\%(import\|stack\|region\|account\|use\)\>/

syn match wharfNumber /\%([A-Za-z0-9_-]\)\@<!-\=\d\+\%(\.\d\+\)\=\%(vcpu\|units\|MiB\|GiB\|ms\|s\|m\|h\|%\)\=\>/
syn match wharfNumber /\%([A-Za-z0-9_-]\)\@<!-\=\d\+\%(\.\d\+\)\=%/
syn match wharfRange /\.\./
syn keyword wharfBoolean on off true false enabled disabled
syn keyword wharfConstant START COMPLETE SUCCESS HEALTHY FARGATE FARGATE_SPOT
syn keyword wharfKeyword in via for
syn match wharfStd /\<std\.[A-Za-z_][A-Za-z0-9_-]*/
syn match wharfCall /\<[A-Za-z_][A-Za-z0-9_-]*\ze(/
syn match wharfOperator /=/

hi def link wharfComment Comment
hi def link wharfTodo Todo
hi def link wharfString String
hi def link wharfEscape SpecialChar
hi def link wharfInterpDelim Delimiter
hi def link wharfInterp Identifier
hi def link wharfProperty Statement
hi def link wharfDecl Keyword
hi def link wharfName Type
hi def link wharfBinding StorageClass
hi def link wharfConstName Constant
hi def link wharfSetting PreProc
hi def link wharfNumber Number
hi def link wharfRange Operator
hi def link wharfBoolean Boolean
hi def link wharfConstant Constant
hi def link wharfKeyword Keyword
hi def link wharfStd Function
hi def link wharfCall Function
hi def link wharfOperator Operator

let b:current_syntax = "wharf"
