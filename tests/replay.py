#!/usr/bin/env python3
"""tests/replay.py - replays every console block of the kit's documents, in
order, as a reader following them in one sitting would (tests/replay.bats).

    python3 tests/replay.py KIT_ROOT FILE...

The conventions it reads (handout.md, "Conventions", says them to the reader):

- A line "$ COMMAND" is typed in terminal T1, "T2$ COMMAND" in T2, "T3$ ..."
  in T3. The lines after a command, up to the next command, are what it
  prints. Each terminal is one bash shell that lives for the whole replay,
  so PORT, $!, cd and variables carry from block to block as they would.
- A line "^C" is Ctrl-C in the terminal of the command line above it in the
  block (T1 when it opens the block; "T2$ ^C" names the terminal): it
  stops the program still running
  there, and the lines after it are what that program prints as it stops.
  A command that a later ^C stops is left running while the replay goes on
  (the next blocks talk to it); any other command must end within
  COMMAND_TIMEOUT seconds.
- What the reader types into a program comes from the block's comment,
  <!-- check ...; input=LINE|LINE --> (tests/docs.bash) or
  <!-- replay input=LINE|LINE -->: each line, where it appears under a
  command, is typed into that command (then end of input, Ctrl-D), and
  is not expected as output.
- A block preceded by <!-- not replayed: REASON --> is skipped; the prose
  just above it must say so too ("not replayed"), so the reader knows.
- A command's output matches the lines shown for it when, blank lines
  aside, with every number written as "#", runs of spaces as one and a
  loopback address (127.0.0.1 or [::1], whichever localhost gave) as one, the
  lines are the same, in the same order or (clients that run at once
  interleave) in any order; a line "..." stands for any number of lines.
  A timeline's rows (bench/timeline.awk) compare by the order of their
  runs of '.', '#' and ' ', not their lengths.
  Two kinds of lines are held to bounds: a stress client's summary
  ("N clients, R replies, E errors, T s, ...") must have the same N, and
  the same R and E when the text shows no error (some errors when it
  shows some), and T, its p50 and its p99, like the "real" line of
  `time`, between TIME_LOW and TIME_HIGH times the time shown (plus
  TIME_SLACK seconds): the timings the text claims are the ones the
  replay measures. Except in a block marked <!-- replay times=any -->,
  whose text says its figures are the machine's own (a CPU-bound run
  with no delay): there only the counts are held.

PORT is set in every terminal to a free port (and PORT+1 free too) found at
run time; "PORT=2000" typed in the text sets that port instead. Servers
started with scripts/serve keep their PID files in a directory of the
replay's own. After each document, any process it left running is a
failure (and is killed). Files the blocks write in the kit's root are
removed at the end. Prints one line per failure and, last,
"replayed N of M console blocks, K marked not replayed"; exit 1 on any
failure.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

COMMAND_TIMEOUT = 30     # seconds a command may run before it counts as hung
START_TIMEOUT = 10       # seconds a left-running program has to print its first line
STOP_TIMEOUT = 10        # seconds a program has to exit after ^C
TIME_LOW, TIME_HIGH, TIME_SLACK = 0.6, 2.0, 0.3

PROMPT = re.compile(r'^(?:(T[1-3]))?\$ (.*)$')
MARK = '\x1e'


class Command:
    def __init__(self, doc, line, term, text, input_path):
        self.doc, self.line, self.term, self.text = doc, line, term, text
        self.input_path = input_path
        self.expected = []
        self.left_running = False
        self.any_time = False   # <!-- replay times=any -->: CPU-bound, the machine's own
        self.stop = None        # the ^C that stops it: (doc, line)


class Block:
    def __init__(self, doc, line):
        self.doc, self.line = doc, line
        self.items = []         # Command, or ('^C', term, line, owner)
        self.skip_reason = None


def parse(root, doc, tmp):
    """The console blocks of one document."""
    blocks = []
    with open(os.path.join(root, doc), encoding='utf-8') as f:
        lines = f.read().split('\n')
    i, section = 0, ''
    while i < len(lines):
        if lines[i].startswith('## '):
            section = lines[i]
        if not lines[i].startswith('```console'):
            i += 1
            continue
        block = Block(doc, i + 1)
        block.section = section
        # The comments above the fence (blank lines may sit between).
        attrs, j = '', i - 1
        while j >= 0 and (lines[j].strip() == '' or lines[j].startswith('<!--')):
            m = re.match(r'<!-- *(check|replay|not replayed:)(.*?) *-->', lines[j])
            if m and m.group(1) == 'not replayed:':
                block.skip_reason = m.group(2).strip()
            elif m:
                attrs += ';' + m.group(2)
            j -= 1
        if block.skip_reason is not None:
            prose = ' '.join(lines[max(0, j - 5):j + 1]).lower()
            if 'not replayed' not in prose:
                block.skip_reason = None
                block.invisible = True
        inputs, any_time = [], False
        for item in attrs.split(';'):
            item = item.strip()
            if item.startswith('input='):
                inputs = item[len('input='):].split('|')
            elif item == 'times=any':
                any_time = True
        i += 1
        current, term, typed = None, 'T1', list(inputs)
        while i < len(lines) and not lines[i].startswith('```'):
            text = lines[i]
            m = PROMPT.match(text)
            if m and m.group(2).strip() == '^C':
                term = m.group(1) or 'T1'
                current = ('^C', term, i + 1)
                block.items.append(current)
            elif m:
                term = m.group(1) or 'T1'
                current = Command(doc, i + 1, term, m.group(2), None)
                current.any_time = any_time
                current.typed = []
                block.items.append(current)
            elif text.strip() == '^C':
                current = ('^C', term, i + 1)
                block.items.append(current)
            elif current is not None:
                # A typed line may follow the program's prompt ("db> "),
                # which shows only on a terminal: not expected either.
                if typed and isinstance(current, Command) and (
                        text == typed[0] or text.endswith('> ' + typed[0])):
                    current.typed.append(typed.pop(0))
                else:
                    (current.expected if isinstance(current, Command)
                     else block_extra(block, current)).append(text)
            i += 1
        # What the reader types goes to the command it is shown under.
        for item in block.items:
            if isinstance(item, Command) and item.typed:
                fd, item.input_path = tempfile.mkstemp(dir=tmp, prefix='input.')
                with os.fdopen(fd, 'w') as out:
                    out.write('\n'.join(item.typed) + '\n')
        blocks.append(block)
        i += 1
    return blocks


def block_extra(block, stop):
    """The list a ^C's lines go to (set up by link_stops)."""
    key = ('extra', stop[2])
    if not hasattr(block, 'extras'):
        block.extras = {}
    return block.extras.setdefault(key, [])


def link_stops(blocks):
    """Each ^C stops the last command before it in its terminal: that
    command is left running until then, and what it prints as it stops is
    added to what it must print."""
    last = {}
    for block in blocks:
        for n, item in enumerate(block.items):
            if isinstance(item, Command):
                last[item.term] = item
            else:
                owner = last.get(item[1])
                extra = getattr(block, 'extras', {}).get(('extra', item[2]), [])
                if owner is not None and block.skip_reason is None:
                    owner.left_running = True
                    owner.stop = (block.doc, item[2])
                    owner.expected += extra
                block.items[n] = ('^C', item[1], item[2], owner)


def normal(text):
    text = text.rstrip()
    # A timeline's row (bench/timeline.awk): the order of its runs of
    # '.', '#' and ' ' is its shape, their lengths are timings; its axis
    # puts '^' wherever the expected time falls.
    bar = re.match(r'^(\s*client\s+\d+ \|)(.*)(\|)$', text)
    if bar:
        text = bar[1] + re.sub(r'(.)\1+', r'\1', bar[2]) + bar[3]
    if re.match(r'^\s*\+[-^]*\+$', text):
        text = '+-+'
    # A loopback peer is whichever address "localhost" gave the client:
    # 127.0.0.1, or ::1 first where /etc/hosts maps localhost to both (a
    # stock Debian). Both are the same peer to the reader.
    text = re.sub(r'\[::1\]|127\.0\.0\.1', 'LOOPBACK', text)
    # Numbers, and hex words with a digit (a random token), are '#'.
    text = re.sub(r'\b[0-9a-f]*\d[0-9a-f]*\b', '#', text)
    text = re.sub(r'#(\.#)+', '#', text)
    text = re.sub(r'\d+(\.\d+)?', '#', text)
    return re.sub(r'\s+', ' ', text).strip()


SUMMARY = re.compile(r'^(\d+) clients, (\d+) replies, (\d+) errors, ([\d.]+) s, .*'
                     r'p50 ([\d.]+) ms, p99 ([\d.]+) ms$')
REAL = re.compile(r'^real\s+(\d+)m([\d.]+)s$')


ANY_TIME = [False]


def seconds_ok(shown, got):
    if ANY_TIME[0]:
        return True
    return TIME_LOW * shown - TIME_SLACK <= got <= TIME_HIGH * shown + TIME_SLACK


def line_ok(want, got):
    """One shown line against one printed line."""
    if normal(want) != normal(got):
        return False
    a, b = SUMMARY.match(want.strip()), SUMMARY.match(got.strip())
    if a and b:
        if a[1] != b[1] or not all(seconds_ok(float(a[k]) / scale, float(b[k]) / scale)
                                   for k, scale in ((4, 1), (5, 1000), (6, 1000))):
            return False
        # Errors shown: how many is the machine's luck, but some there are.
        return a.group(2, 3) == b.group(2, 3) if a[3] == '0' else b[3] != '0'
    a, b = REAL.match(want.strip()), REAL.match(got.strip())
    if a and b:
        return seconds_ok(int(a[1]) * 60 + float(a[2]), int(b[1]) * 60 + float(b[2]))
    return True


def ordered_match(want, got):
    memo = {}

    def go(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(want):
            ok = j == len(got)
        elif want[i].strip() in ('...', '…'):
            ok = any(go(i + 1, k) for k in range(j, len(got) + 1))
        else:
            ok = j < len(got) and line_ok(want[i], got[j]) and go(i + 1, j + 1)
        memo[(i, j)] = ok
        return ok
    return go(0, 0)


def unordered_match(want, got):
    wild = any(w.strip() in ('...', '…') for w in want)
    rest = list(got)
    for w in want:
        if w.strip() in ('...', '…'):
            continue
        for k, g in enumerate(rest):
            if line_ok(w, g):
                del rest[k]
                break
        else:
            return False
    return wild or not rest


def output_matches(want, got):
    want = [w for w in want if w.strip()]
    got = [g for g in got if g.strip()]
    return ordered_match(want, got) or unordered_match(want, got)


class Terminal:
    def __init__(self, name, root, env, tmp):
        self.name = name
        self.out_path = os.path.join(tmp, name + '.out')
        self.out = open(self.out_path, 'w+b')
        read_end, self.write_end = os.pipe()
        # One command per three lines (id, input, command). $? is carried
        # from command to command, as in a terminal ("echo $?"). A program
        # left running with typed input keeps its stdin open after the
        # typed lines (the reader has not pressed Ctrl-D), until ^C.
        loop = (
            'status() { return "$1"; }; st=0; '
            'while IFS= read -r -u %(fd)d id && IFS= read -r -u %(fd)d input && '
            'IFS= read -r -u %(fd)d cmd; do '
            'printf "\\n\\036B %%s\\n" "$id"; status "$st"; '
            'case $input in '
            'keep:*) eval "$cmd" < <(cat "${input#keep:}"; exec sleep 3600) %(fd)d<&- ;; '
            '*) eval "$cmd" <"$input" %(fd)d<&- ;; esac; st=$?; '
            'printf "\\n\\036E %%s %%s\\n" "$id" "$st"; '
            'done' % {'fd': read_end})
        self.proc = subprocess.Popen(
            ['bash', '--norc', '--noprofile', '-c', loop], cwd=root, env=env,
            stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT,
            pass_fds=(read_end,), start_new_session=True)
        os.close(read_end)
        self.next_id = 0
        self.running = {}       # id -> (Command, pids to Ctrl-C)

    def send(self, command, text):
        self.next_id += 1
        before = self.children()
        path = command.input_path or '/dev/null'
        if command.input_path and command.left_running:
            path = 'keep:' + path
        os.write(self.write_end, ('%d\n%s\n%s\n' % (self.next_id, path, text)).encode())
        return self.next_id, before

    def sections(self):
        """{id: (lines, exit status or None)} from the output so far."""
        with open(self.out_path, 'rb') as f:
            data = f.read().decode('utf-8', 'replace')
        result, current = {}, None
        for line in data.split('\n'):
            if line.startswith(MARK + 'B '):
                current = int(line.split()[1])
                result[current] = ([], None)
            elif line.startswith(MARK + 'E '):
                _, ident, status = line.split()
                result[int(ident)] = (result[int(ident)][0], int(status))
            elif current is not None:
                result[current][0].append(line)
        return result

    def children(self):
        found = set()
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % pid) as f:
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != 'Z':
                found.add(int(pid))
        return found

    def session_pids(self):
        found = []
        for pid in os.listdir('/proc'):
            if not pid.isdigit() or int(pid) == self.proc.pid:
                continue
            try:
                with open('/proc/%s/stat' % pid) as f:
                    stat = f.read()
                with open('/proc/%s/cmdline' % pid, 'rb') as f:
                    cmd = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
            except OSError:
                continue
            fields = stat.rsplit(')', 1)[1].split()
            if int(fields[3]) == self.proc.pid and fields[0] != 'Z':
                found.append((int(pid), cmd))
        return found

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.write_end)


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def free_port():
    """A port free for TCP and UDP, with the next one free too (06's relay)."""
    for _ in range(100):
        probe = socket.socket()
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
        probe.close()
        if port >= 65535:
            continue
        try:
            for p in (port, port + 1):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    s = socket.socket(socket.AF_INET6, kind)
                    s.bind(('::', p))
                    s.close()
            return port
        except OSError:
            continue
    raise SystemExit('replay: no free port pair')


class Replay:
    def __init__(self, root, tmp):
        self.root, self.tmp = root, tmp
        self.failures = []
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), LC_ALL='C.UTF-8',
                   KIT_SERVE_DIR=os.path.join(tmp, 'serve'), TERM='dumb')
        self.terms = {t: Terminal(t, root, env, tmp) for t in ('T1', 'T2', 'T3')}

    def fail(self, where, message):
        self.failures.append('%s: %s' % (where, message))
        print('%s: %s' % (where, message), flush=True)

    def run_command(self, command):
        started = time.monotonic()
        try:
            self.run_command_timed(command)
        finally:
            self.times.append((time.monotonic() - started, command))

    def run_command_timed(self, command):
        term = self.terms[command.term]
        text = re.sub(r'\bPORT=2000\b', 'PORT=%d' % self.port, command.text)
        ident, before = term.send(command, text)
        where = '%s:%d' % (command.doc, command.line)
        if command.left_running:
            first = next((w for w in command.expected if w.strip()), None)

            def started():
                lines, status = term.sections().get(ident, ([], None))
                if status is not None:
                    return True
                return first is None or any(line_ok(first, g) for g in lines)
            if not wait_for(started, START_TIMEOUT):
                self.fail(where, 'printed no %r within %d s' % (first, START_TIMEOUT))
            if first is None:
                time.sleep(0.3)
            term.running[ident] = (command, term.children() - before)
            return
        if not wait_for(lambda: term.sections().get(ident, ([], None))[1] is not None,
                        COMMAND_TIMEOUT):
            self.fail(where, '%s$ %s still runs after %d s (a server in the foreground '
                      'that nothing stops? a port taken?)' % (command.term, command.text,
                                                               COMMAND_TIMEOUT))
            for pid in term.children() - before:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            wait_for(lambda: term.sections().get(ident, ([], None))[1] is not None, 5)
        self.pending.append((term, ident, command))

    def stop(self, item):
        _, name, line, owner = item
        term = self.terms[name]
        for ident, (command, pids) in list(term.running.items()):
            if command is not owner:
                continue
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
            if not wait_for(lambda: term.sections().get(ident, ([], None))[1] is not None,
                            STOP_TIMEOUT):
                self.fail('%s:%d' % (owner.doc, line), 'still runs %d s after ^C' % STOP_TIMEOUT)
            del term.running[ident]
            self.pending.append((term, ident, command))
            return
        self.fail('%s:%d' % (owner.doc if owner else '?', line), '^C with nothing running')

    def check_pending(self):
        """Outputs are compared once the next command has started: lines a
        background server prints just after a command ends belong to it."""
        for term, ident, command in self.pending:
            sections = term.sections()
            got = list(sections.get(ident, ([], None))[0])
            # Lines printed between this command's end and the next one's
            # start (a background server's late lines).
            ANY_TIME[0] = command.any_time
            if not output_matches(command.expected, got):
                self.fail('%s:%d' % (command.doc, command.line),
                          'output differs from the text\n  %s$ %s\n  --- shown:\n%s\n  --- printed:\n%s'
                          % (command.term, command.text,
                             '\n'.join('    ' + w for w in command.expected if w.strip()),
                             '\n'.join('    ' + g for g in got if g.strip())))
        self.pending = []

    def leftovers(self, doc):
        for name, term in self.terms.items():
            if term.running:
                for command, pids in term.running.values():
                    self.fail('%s:%d' % (command.doc, command.line),
                              'left running at the end of %s' % doc)
                term.running = {}
            for pid, cmd in term.session_pids():
                self.fail(doc, 'leaves %s running in %s (%s)' % (cmd, name, pid))
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def run(self, documents):
        self.pending = []
        self.times = []
        total = skipped = 0
        self.unavailable = 0
        # REPLAY_UNAVAILABLE=FOLDER: a section this machine cannot run
        # (11-io-uring without io_uring): the blocks of its README and of
        # the handout's section "(FOLDER)" are left out here.
        missing = os.environ.get('REPLAY_UNAVAILABLE')
        all_blocks = []
        for doc in documents:
            all_blocks.append((doc, parse(self.root, doc, self.tmp)))
        link_stops([b for _, blocks in all_blocks for b in blocks])
        for doc, blocks in all_blocks:
            for block in blocks:
                total += 1
                if getattr(block, 'invisible', False):
                    self.fail('%s:%d' % (doc, block.line),
                              '<!-- not replayed --> with no "not replayed" in the text above it')
                if block.skip_reason is not None:
                    skipped += 1
                    continue
                if missing and (doc.startswith(missing + '/')
                                or '(%s)' % missing in block.section):
                    self.unavailable += 1
                    continue
                for item in block.items:
                    if isinstance(item, Command):
                        self.run_command(item)
                    else:
                        self.stop(item)
                    # Let late lines arrive, then compare what ended.
                self.settle()
            self.settle()
            self.leftovers(doc)
        for term in self.terms.values():
            term.close()
        if os.environ.get('REPLAY_TIMES'):
            for seconds, command in sorted(self.times, key=lambda t: -t[0])[:40]:
                print('%6.2f s %s:%d' % (seconds, command.doc, command.line), file=sys.stderr)
            per_doc = {}
            for seconds, command in self.times:
                per_doc[command.doc] = per_doc.get(command.doc, 0) + seconds
            for doc, seconds in per_doc.items():
                print('%6.2f s %s' % (seconds, doc), file=sys.stderr)
        return total, skipped

    def settle(self):
        if self.pending:
            time.sleep(0.02)
            self.check_pending()


def dry_run(root, documents):
    """--list: what would be replayed, without running anything."""
    with tempfile.TemporaryDirectory(prefix='replay.') as tmp:
        all_blocks = [b for doc in documents for b in parse(root, doc, tmp)]
        link_stops(all_blocks)
        skipped = 0
        for block in all_blocks:
            if block.skip_reason is not None:
                skipped += 1
                print('%s:%d: not replayed: %s' % (block.doc, block.line, block.skip_reason))
                continue
            for item in block.items:
                if isinstance(item, Command):
                    print('%s:%d: %s$ %s%s [%d lines]' % (
                        item.doc, item.line, item.term, item.text,
                        '  (left running)' if item.left_running else '',
                        len([w for w in item.expected if w.strip()])))
                else:
                    print('%s:%d: %s ^C' % (block.doc, item[2], item[1]))
        print('replayed %d of %d console blocks, %d marked not replayed'
              % (len(all_blocks) - skipped, len(all_blocks), skipped))


def main():
    if sys.argv[1] == '--list':
        return dry_run(sys.argv[2], sys.argv[3:])
    root, documents = sys.argv[1], sys.argv[2:]
    before = set(os.listdir(root))
    with tempfile.TemporaryDirectory(prefix='replay.') as tmp:
        replay = Replay(root, tmp)
        try:
            total, skipped = replay.run(documents)
        finally:
            for term in replay.terms.values():
                if term.proc.poll() is None:
                    term.close()
            for name in set(os.listdir(root)) - before:
                path = os.path.join(root, name)
                if not os.path.isdir(path) or os.path.islink(path):
                    os.unlink(path)
    left_out = ''
    if replay.unavailable:
        left_out = ', %d left out here (%s cannot run)' % (
            replay.unavailable, os.environ['REPLAY_UNAVAILABLE'])
    print('replayed %d of %d console blocks, %d marked not replayed%s'
          % (total - skipped - replay.unavailable, total, skipped, left_out))
    return 1 if replay.failures else 0


if __name__ == '__main__':
    sys.exit(main())
