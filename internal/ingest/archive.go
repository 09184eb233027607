package ingest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Archives and compressed files. Nothing from an archive is ever written
// under a name the archive chose: members are read as streams, and the only
// files written are temporary spools with names of our own, removed after
// use. Member names that would escape a directory ("../x", "/etc/x", "C:\x")
// are refused all the same (ingest.unsafe_path), since they mark a hostile
// or broken archive. Every decompressed stream is capped in size and in
// compression ratio, so a decompression bomb stops with ingest.too_large.

// gzip reads a gzip stream (.gz, .tgz): its content is sniffed again.
func (rd *reader) gzip(name string, br *bufio.Reader, explicit bool, depth int) {
	cr := &countReader{r: br}
	gz, err := gzip.NewReader(cr)
	if err != nil {
		rd.fileError(name, &Error{Code: CodeRead, Msg: "not a valid gzip stream", Err: err})
		return
	}
	defer gz.Close()
	inner := strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".GZ")
	if strings.HasSuffix(strings.ToLower(name), ".tgz") {
		inner = name[:len(name)-4] + ".tar"
	}
	capped := rd.capped(name, gz, func() int64 { return cr.n })
	rd.stream(inner, capped, nil, explicit, depth+1)
}

// zip reads each member of a zip archive. archive/zip needs random access:
// a zip named on the command line is read in place, any other is spooled
// to a temporary file first.
func (rd *reader) zip(name string, br *bufio.Reader, file *os.File, depth int) {
	var ra io.ReaderAt
	var size int64
	if file != nil && br.Buffered() > 0 {
		if info, err := file.Stat(); err == nil {
			if off, err := file.Seek(0, io.SeekCurrent); err == nil && off == int64(br.Buffered()) {
				ra, size = &countReaderAt{r: file, total: &rd.p.readBytes, skip: off}, info.Size()
			}
		}
	}
	if ra == nil {
		spool, n, err := rd.spool(name, br)
		if err != nil {
			rd.fileError(name, err)
			return
		}
		defer removeSpool(spool)
		ra, size = spool, n
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		rd.fileError(name, &Error{Code: CodeRead, Msg: "not a valid zip archive", Err: err})
		return
	}
	for _, f := range zr.File {
		if rd.p.ctx.Err() != nil {
			return
		}
		rd.zipMember(name, f, depth)
	}
}

func (rd *reader) zipMember(archive string, f *zip.File, depth int) {
	member := memberName(archive, f.Name)
	switch {
	case unsafeName(f.Name):
		rd.fileError(member, errorf(CodeUnsafePath, "member name escapes the archive; skipped"))
		return
	case f.FileInfo().IsDir():
		return
	case !f.Mode().IsRegular():
		rd.ignore(member, "it is not a regular file")
		return
	case f.Flags&1 != 0:
		rd.fileError(member, errorf(CodeRead, "encrypted member; skipped").withHint("decrypt the archive first"))
		return
	}
	rc, err := f.Open()
	if err != nil {
		rd.fileError(member, &Error{Code: CodeRead, Msg: "cannot open member", Err: err})
		return
	}
	defer rc.Close()
	compressed := int64(f.CompressedSize64)
	rd.stream(member, rd.capped(member, rc, func() int64 { return compressed }), nil, false, depth+1)
}

// tar reads each regular member of a tar stream; links and devices are
// never followed.
func (rd *reader) tar(name string, br *bufio.Reader, depth int) {
	tr := tar.NewReader(br)
	for rd.p.ctx.Err() == nil {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			rd.fileError(name, &Error{Code: CodeRead, Msg: "tar archive is corrupt or truncated", Err: err})
			return
		}
		member := memberName(name, h.Name)
		switch {
		case unsafeName(h.Name):
			rd.fileError(member, errorf(CodeUnsafePath, "member name escapes the archive; skipped"))
		case h.Typeflag == tar.TypeDir:
		case h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA:
			rd.ignore(member, "it is a link or special file, which sleuth never follows")
		default:
			rd.stream(member, tr, nil, false, depth+1)
		}
	}
}

// countReaderAt counts bytes read through ReadAt for progress, less the
// bytes the sniffer already counted.
type countReaderAt struct {
	r     io.ReaderAt
	total interface{ Add(int64) int64 }
	skip  int64
}

func (c *countReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	add := int64(n)
	if c.skip > 0 {
		d := min(c.skip, add)
		c.skip -= d
		add -= d
	}
	c.total.Add(add)
	return n, err
}

// unsafeName reports a member name that is absolute or climbs out of the
// archive's directory, in POSIX or Windows spelling.
func unsafeName(n string) bool {
	if strings.ContainsRune(n, 0) {
		return true
	}
	n = strings.ReplaceAll(n, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return true
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// capped limits a decompressed stream to MaxDecompressed bytes and, past
// 64 MiB, to MaxRatio times the compressed bytes read so far.
func (rd *reader) capped(name string, r io.Reader, compressed func() int64) io.Reader {
	return &capReader{r: r, name: name, max: rd.p.opt.MaxDecompressed, ratio: rd.p.opt.MaxRatio, floor: rd.p.opt.ratioFloor, compressed: compressed}
}

type capReader struct {
	r          io.Reader
	name       string
	n, max     int64
	ratio      int64
	floor      int64
	compressed func() int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n >= c.max {
		return 0, errorf(CodeTooLarge, "more than %s decompressed from %s; stopped", byteSize(c.max), c.name).
			withHint("raise the cap with --max-decompressed if the file is genuine")
	}
	if int64(len(p)) > c.max-c.n {
		p = p[:c.max-c.n]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.floor {
		if z := c.compressed(); z > 0 && c.n/z > c.ratio {
			return n, errorf(CodeTooLarge, "compression ratio of %s passed %d:1 (a decompression bomb?); stopped", c.name, c.ratio).
				withHint("raise --max-ratio if the file is genuine")
		}
	}
	if err == io.ErrUnexpectedEOF {
		err = &Error{Code: CodeRead, Msg: "compressed data ends early (truncated file?)", Err: err}
	}
	return n, err
}

// spool copies r to a temporary file, within the decompression cap.
func (rd *reader) spool(name string, r io.Reader) (*os.File, int64, *Error) {
	f, err := os.CreateTemp(rd.p.opt.TempDir, "sleuth-ingest-*")
	if err != nil {
		return nil, 0, &Error{Code: CodeRead, Msg: "cannot create a temporary file", Err: err}
	}
	n, err := io.Copy(f, io.LimitReader(r, rd.p.opt.MaxDecompressed+1))
	switch {
	case err != nil:
		removeSpool(f)
		return nil, 0, asError(err)
	case n > rd.p.opt.MaxDecompressed:
		removeSpool(f)
		return nil, 0, errorf(CodeTooLarge, "%s is larger than %s", name, byteSize(rd.p.opt.MaxDecompressed)).
			withHint("raise the cap with --max-decompressed if the file is genuine")
	}
	return f, n, nil
}

func removeSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
