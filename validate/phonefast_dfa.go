package validate

import (
	"errors"
	"regexp/syntax"
	"slices"
)

// Deterministic automata over the ten ASCII digits, built from
// libphonenumber's metadata patterns (regexp/syntax programs) by the
// subset construction. They answer the two questions the phone fast path
// asks of a pattern: does it match a whole digit string (the number
// descriptions: general, fixed line, mobile, …), and at which lengths does
// it match a prefix of one (leading digits, international prefixes,
// national prefixes). Walking one costs one table lookup per digit and
// never allocates. Which of several prefix matches Go's regexp would pick
// (leftmost-first) is a question of priority that an automaton cannot
// answer: callers ask the regexp itself when a prefix matches at more than
// one length.

// pfDead is the state from which nothing matches.
const pfDead = -1

// pfMaxStates bounds one automaton; a pattern that needs more makes its
// region unsupported (the slow path answers for it).
const pfMaxStates = 1 << 15

var errPFUnsupported = errors.New("validate: pattern not supported by the phone fast path")

// pfDFA is a deterministic automaton whose states carry the set of
// patterns (tags, bit i for pattern i) that match the digits read so far.
type pfDFA struct {
	next []int32 // state*10 + digit → next state, or pfDead
	// acc[s]: tags that match exactly the input read so far, with "$"
	// satisfied (the input ends here). Without "$" in the patterns this
	// is also what matches in the middle of a longer input.
	acc []uint16
	// mid[s]: tags that match the input read so far when more input
	// follows ("$" not satisfied).
	mid []uint16
}

// walk returns the state after reading digits (ASCII '0'…'9' only), or
// pfDead.
func (d *pfDFA) walk(digits []byte) int32 {
	s := int32(0)
	for _, c := range digits {
		s = d.next[int(s)*10+int(c-'0')]
		if s < 0 {
			return pfDead
		}
	}
	return s
}

// full returns the tags that match all of digits.
func (d *pfDFA) full(digits []byte) uint16 {
	s := d.walk(digits)
	if s < 0 {
		return 0
	}
	return d.acc[s]
}

// prefixEnds returns, as a bit set, the lengths n ≤ len(digits) (and
// n < 64) such that pattern tag matches digits[:n] anchored at the start:
// the places where a match that starts at 0 can end.
func (d *pfDFA) prefixEnds(digits []byte, tag uint16) uint64 {
	var ends uint64
	s := int32(0)
	for i := 0; ; i++ {
		if i == len(digits) {
			if d.acc[s]&tag != 0 {
				ends |= 1 << uint(i)
			}
			return ends
		}
		if d.mid[s]&tag != 0 {
			ends |= 1 << uint(i)
		}
		if i >= 63 {
			return ends
		}
		s = d.next[int(s)*10+int(digits[i]-'0')]
		if s < 0 {
			return ends
		}
	}
}

// compilePFDFA builds one automaton for patterns, pattern i being tag
// 1<<i (at most 16). It fails for constructs other than characters,
// classes, groups, alternation, repetition, "^" at the start and "$".
func compilePFDFA(patterns []string) (*pfDFA, error) {
	if len(patterns) > 16 {
		return nil, errPFUnsupported
	}
	b := &pfBuilder{}
	var starts []uint32
	for i, p := range patterns {
		start, err := b.add(p, uint16(1)<<uint(i), 0, 0)
		if err != nil {
			return nil, err
		}
		starts = append(starts, start)
	}
	return b.build(starts)
}

// compilePFGroupDFA builds an automaton for one pattern whose matches
// are tag 1 if they do not go through capture group, 2 if they do.
func compilePFGroupDFA(pattern string, group int) (*pfDFA, error) {
	b := &pfBuilder{}
	start, err := b.add(pattern, 1, 2, group)
	if err != nil {
		return nil, err
	}
	return b.build([]uint32{start})
}

// add adds pattern's program to b, its matches tagged tag; with group >
// 0, a second copy of the program, entered where the first opens that
// capture group, tags its matches groupTag. It returns the start.
func (b *pfBuilder) add(pattern string, tag, groupTag uint16, group int) (uint32, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0, err
	}
	copies := 1
	if group > 0 {
		copies = 2
	}
	first := uint32(len(b.inst))
	for k := 0; k < copies; k++ {
		base := first + uint32(k*len(prog.Inst))
		for _, in := range prog.Inst {
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch, syntax.InstCapture, syntax.InstNop,
				syntax.InstMatch, syntax.InstFail,
				syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
					return 0, errPFUnsupported
				}
			default:
				return 0, errPFUnsupported
			}
			bi := pfInst{op: in.Op, out: base + in.Out, arg: base + in.Arg, tag: tag}
			if k == 1 {
				bi.tag = groupTag
			}
			if k == 0 && group > 0 && in.Op == syntax.InstCapture && in.Arg == uint32(2*group) {
				bi.out += uint32(len(prog.Inst)) // into the second copy
			}
			if in.Op == syntax.InstEmptyWidth {
				bi.empty = syntax.EmptyOp(in.Arg)
			}
			for c := 0; c < 10; c++ {
				if isConsuming(in.Op) && in.MatchRune(rune('0'+c)) {
					bi.digits |= 1 << uint(c)
				}
			}
			b.inst = append(b.inst, bi)
		}
	}
	return first + uint32(prog.Start), nil
}

// build runs the subset construction from starts.
func (b *pfBuilder) build(starts []uint32) (*pfDFA, error) {
	b.mark = make([]uint32, len(b.inst))
	b.index = make(map[string]int32)
	b.dfa = &pfDFA{}
	start, err := b.state(starts, true)
	if err != nil {
		return nil, err
	}
	if start == pfDead { // matches nothing: one state that stays dead
		b.sets = append(b.sets, nil)
		b.dfa.acc, b.dfa.mid = []uint16{0}, []uint16{0}
		b.dfa.next = []int32{pfDead, pfDead, pfDead, pfDead, pfDead, pfDead, pfDead, pfDead, pfDead, pfDead}
	}
	var seeds []uint32
	for s := 0; s < len(b.sets); s++ {
		for c := 0; c < 10; c++ {
			seeds = seeds[:0]
			for _, pc := range b.sets[s] {
				if in := &b.inst[pc]; isConsuming(in.op) && in.digits&(1<<uint(c)) != 0 {
					seeds = append(seeds, in.out)
				}
			}
			t, err := b.state(seeds, false)
			if err != nil {
				return nil, err
			}
			b.dfa.next[s*10+c] = t
		}
	}
	return b.dfa, nil
}

func isConsuming(op syntax.InstOp) bool {
	switch op {
	case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}

type pfInst struct {
	op       syntax.InstOp
	empty    syntax.EmptyOp
	out, arg uint32
	tag      uint16
	digits   uint16 // consuming instructions: the digits they accept
}

type pfBuilder struct {
	inst  []pfInst
	mark  []uint32 // generation marks for closures
	gen   uint32
	sets  [][]uint32 // per state: the consuming instructions it is at
	index map[string]int32
	dfa   *pfDFA
	stack []uint32
	key   []byte
}

// closure follows the empty transitions from seeds ("^" holds if begin,
// "$" if end). It returns the consuming instructions reached (sorted) and
// the tags that match.
func (b *pfBuilder) closure(seeds []uint32, begin, end bool) (core []uint32, tags uint16) {
	b.gen++
	b.stack = append(b.stack[:0], seeds...)
	for len(b.stack) > 0 {
		pc := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		if b.mark[pc] == b.gen {
			continue
		}
		b.mark[pc] = b.gen
		in := &b.inst[pc]
		switch in.op {
		case syntax.InstAlt, syntax.InstAltMatch:
			b.stack = append(b.stack, in.arg, in.out)
		case syntax.InstCapture, syntax.InstNop:
			b.stack = append(b.stack, in.out)
		case syntax.InstMatch:
			tags |= in.tag
		case syntax.InstEmptyWidth:
			ok := true
			if in.empty&syntax.EmptyBeginText != 0 && !begin {
				ok = false
			}
			if in.empty&syntax.EmptyEndText != 0 && !end {
				ok = false
			}
			if ok {
				b.stack = append(b.stack, in.out)
			}
		case syntax.InstFail:
		default: // consuming
			core = append(core, pc)
		}
	}
	slices.Sort(core)
	return slices.Compact(core), tags
}

// state returns the state for the closure of seeds, adding it if new.
func (b *pfBuilder) state(seeds []uint32, begin bool) (int32, error) {
	core, mid := b.closure(seeds, begin, false)
	_, acc := b.closure(seeds, begin, true)
	var consuming []uint32
	for _, pc := range core {
		if isConsuming(b.inst[pc].op) {
			consuming = append(consuming, pc)
		}
	}
	if len(consuming) == 0 && mid == 0 && acc == 0 {
		return pfDead, nil
	}
	// The state is determined by what it can still read and what it
	// accepts now.
	b.key = b.key[:0]
	b.key = append(b.key, byte(mid), byte(mid>>8), byte(acc), byte(acc>>8))
	for _, pc := range consuming {
		b.key = append(b.key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if s, ok := b.index[string(b.key)]; ok {
		return s, nil
	}
	if len(b.sets) >= pfMaxStates {
		return 0, errPFUnsupported
	}
	s := int32(len(b.sets))
	b.index[string(b.key)] = s
	b.sets = append(b.sets, consuming)
	b.dfa.acc = append(b.dfa.acc, acc)
	b.dfa.mid = append(b.dfa.mid, mid)
	for c := 0; c < 10; c++ {
		b.dfa.next = append(b.dfa.next, pfDead)
	}
	return s, nil
}
