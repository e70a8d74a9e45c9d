# Every RV64GC instruction with edge operands, assembled by gen-vectors.mjs (riscv64-linux-gnu-as) and
# disassembled by riscv64-linux-gnu-objdump -d -M no-aliases to produce rv64gc.vectors.txt.
	.text
	.option norvc
# RV64I
	lui	zero,0
	lui	ra,0xfffff
	lui	t6,0x80000
	lui	a0,0x7ffff
	auipc	sp,0
	auipc	gp,0xfffff
	auipc	s11,0x12345
	jal	zero,.
	jal	ra,.+0xffffe
	jal	t0,.-0x100000
	jalr	zero,0(ra)
	jalr	ra,-2048(t6)
	jalr	a0,2047(a1)
	.irp	op,beq,bne,blt,bge,bltu,bgeu
	\op	zero,t6,.+4094
	\op	a0,a1,.-4096
	\op	s0,s1,.
	.endr
	.irp	op,lb,lh,lw,ld,lbu,lhu,lwu
	\op	zero,-2048(zero)
	\op	t6,2047(sp)
	\op	a0,-1(a1)
	.endr
	.irp	op,sb,sh,sw,sd
	\op	zero,-2048(t6)
	\op	t6,2047(zero)
	\op	a0,8(sp)
	.endr
	.irp	op,addi,slti,sltiu,xori,ori,andi,addiw
	\op	zero,zero,0
	\op	t6,a0,-2048
	\op	a0,t6,2047
	\op	s1,s2,-1
	.endr
	.irp	op,slli,srli,srai
	\op	a0,a1,0
	\op	t6,zero,63
	\op	s3,s4,32
	.endr
	.irp	op,slliw,srliw,sraiw
	\op	a0,a1,0
	\op	t6,zero,31
	\op	s3,s4,17
	.endr
	.irp	op,add,sub,sll,slt,sltu,xor,srl,sra,or,and,addw,subw,sllw,srlw,sraw
	\op	zero,ra,sp
	\op	t6,t5,t4
	\op	a0,s0,tp
	.endr
	fence
	fence	iorw,iorw
	fence	rw,rw
	fence	r,w
	fence	i,o
	fence	io,rw
	fence	w,r
	fence.tso
	fence.i
	ecall
	ebreak
	.irp	csr,fflags,frm,fcsr,cycle,time,instret,cycleh,hpmcounter3,hpmcounter31,mstatus,sstatus,satp,0x7c0,0x800,0xfff,0
	csrrw	a0,\csr,a1
	csrrs	zero,\csr,t6
	csrrc	t6,\csr,zero
	csrrwi	a0,\csr,0
	csrrsi	ra,\csr,31
	csrrci	zero,\csr,17
	.endr
# M
	.irp	op,mul,mulh,mulhsu,mulhu,div,divu,rem,remu,mulw,divw,divuw,remw,remuw
	\op	a0,a1,a2
	\op	zero,t6,ra
	.endr
# A
	.irp	w,w,d
	.irp	o,,.aq,.rl,.aqrl
	lr.\w\o	a0,(a1)
	sc.\w\o	t6,zero,(sp)
	amoswap.\w\o	a0,a1,(a2)
	amoadd.\w\o	zero,t6,(t5)
	amoxor.\w\o	a0,a1,(a2)
	amoand.\w\o	a0,a1,(a2)
	amoor.\w\o	a0,a1,(a2)
	amomin.\w\o	a0,a1,(a2)
	amomax.\w\o	a0,a1,(a2)
	amominu.\w\o	a0,a1,(a2)
	amomaxu.\w\o	a0,a1,(a2)
	.endr
	.endr
# F and D
	flw	ft0,-2048(zero)
	flw	ft11,2047(t6)
	fld	fa0,8(sp)
	fld	fs11,-8(s0)
	fsw	ft0,-2048(zero)
	fsw	ft11,2047(t6)
	fsd	fa0,8(sp)
	fsd	fs11,-8(s0)
	.irp	p,s,d
	.irp	rm,rne,rtz,rdn,rup,rmm,dyn
	fmadd.\p	ft0,fs1,fa2,ft11,\rm
	fmsub.\p	fa0,fa1,fa2,fa3,\rm
	fnmsub.\p	fa0,fa1,fa2,fa3,\rm
	fnmadd.\p	fa0,fa1,fa2,fa3,\rm
	fadd.\p	ft0,ft1,ft11,\rm
	fsub.\p	fa0,fa1,fa2,\rm
	fmul.\p	fa0,fa1,fa2,\rm
	fdiv.\p	fa0,fa1,fa2,\rm
	fsqrt.\p	fs0,fs11,\rm
	fcvt.w.\p	a0,fa0,\rm
	fcvt.wu.\p	zero,ft11,\rm
	fcvt.l.\p	t6,fa0,\rm
	fcvt.lu.\p	a0,fa0,\rm
	fcvt.\p\().l	fa0,a0,\rm
	fcvt.\p\().lu	fa0,t6,\rm
	.endr
	fmadd.\p	fa0,fa1,fa2,fa3
	fadd.\p	fa0,fa1,fa2
	fsqrt.\p	fa0,fa1
	fcvt.w.\p	a0,fa0
	fsgnj.\p	fa0,fa1,fa2
	fsgnjn.\p	ft0,ft11,fs0
	fsgnjx.\p	fa0,fa1,fa2
	fmin.\p	fa0,fa1,fa2
	fmax.\p	fa0,fa1,fa2
	feq.\p	a0,fa1,fa2
	flt.\p	zero,ft0,ft11
	fle.\p	t6,fa1,fa2
	fclass.\p	a0,fa1
	.endr
	.irp	rm,rne,rtz,rdn,rup,rmm,dyn
	fcvt.s.w	fa0,a0,\rm
	fcvt.s.wu	fa0,a0,\rm
	fcvt.s.d	fa0,fa1,\rm
	.endr
	fcvt.d.w	fa0,a0
	fcvt.d.wu	ft11,zero
	fcvt.d.s	fa0,fa1
	fmv.x.w	a0,fa0
	fmv.w.x	fa0,a0
	fmv.x.d	t6,ft11
	fmv.d.x	ft11,t6
# C
	.option	rvc
	c.addi4spn	s0,sp,4
	c.addi4spn	a5,sp,1020
	c.fld	fs0,0(s0)
	c.fld	fa5,248(a5)
	c.lw	s0,0(s0)
	c.lw	a5,124(a5)
	c.ld	s1,0(a0)
	c.ld	a5,248(a5)
	c.fsd	fs1,0(a0)
	c.fsd	fa5,248(a5)
	c.sw	s0,0(s0)
	c.sw	a5,124(a5)
	c.sd	s1,0(a0)
	c.sd	a5,248(a5)
	c.nop
	c.addi	ra,1
	c.addi	t6,-32
	c.addi	a0,31
	c.addiw	ra,-1
	c.addiw	t6,31
	c.li	a0,0
	c.li	t6,-32
	c.li	ra,31
	c.addi16sp	sp,16
	c.addi16sp	sp,-512
	c.addi16sp	sp,496
	c.lui	ra,1
	c.lui	t6,0x1f
	c.lui	a0,0xfffe0
	c.lui	a0,0xfffff
	c.srli	s0,1
	c.srli	a5,63
	c.srai	s0,32
	c.srai	a5,1
	c.andi	s0,-32
	c.andi	a5,31
	c.andi	a0,0
	.irp	op,c.sub,c.xor,c.or,c.and,c.subw,c.addw
	\op	s0,a5
	\op	a5,s0
	.endr
	c.j	.
	c.j	.+2046
	c.j	.-2048
	c.beqz	s0,.+254
	c.beqz	a5,.-256
	c.bnez	a0,.
	c.bnez	s1,.+2
	c.slli	ra,1
	c.slli	t6,63
	c.slli	a0,32
	c.fldsp	ft0,0(sp)
	c.fldsp	ft11,504(sp)
	c.lwsp	ra,0(sp)
	c.lwsp	t6,252(sp)
	c.ldsp	ra,0(sp)
	c.ldsp	t6,504(sp)
	c.jr	ra
	c.jr	t6
	c.mv	ra,t6
	c.mv	t6,ra
	c.ebreak
	c.jalr	ra
	c.jalr	t6
	c.add	ra,t6
	c.add	t6,ra
	c.fsdsp	ft0,0(sp)
	c.fsdsp	ft11,504(sp)
	c.swsp	zero,0(sp)
	c.swsp	t6,252(sp)
	c.sdsp	zero,0(sp)
	c.sdsp	t6,504(sp)
# Encodings written as numbers: HINTs, reserved and illegal encodings, fields binutils rejects
	.2byte	0x0000		# illegal (all zero)
	.2byte	0x0004		# c.addi4spn with zero immediate: reserved
	.2byte	0x6101		# c.addi16sp with zero immediate: reserved
	.2byte	0x6501		# c.lui with zero immediate: reserved
	.2byte	0x4002		# c.lwsp with rd = 0: reserved
	.2byte	0x6002		# c.ldsp with rd = 0: reserved
	.2byte	0x8002		# c.jr with rs1 = 0: reserved
	.2byte	0x2001		# c.addiw with rd = 0: reserved
	.2byte	0x9c41		# reserved CA encoding
	.2byte	0x9c61		# reserved CA encoding
	.2byte	0x8001		# c.srli64 (shift by 0: HINT)
	.2byte	0x8401		# c.srai64
	.2byte	0x0402		# c.slli64
	.2byte	0x0002		# c.slli64 zero
	.2byte	0x4001		# c.li zero,0 (HINT)
	.2byte	0x0015		# c.addi zero,5 (HINT)
	.2byte	0x0501		# c.addi a0,0 (HINT)
	.2byte	0x6005		# c.lui zero,0x1 (HINT)
	.2byte	0x9016		# c.add zero,t0 (HINT)
	.2byte	0x8016		# c.mv zero,t0 (HINT)
	.2byte	0x0006		# c.slli zero,0x1 (HINT)
	.word	0x0000108f	# fence.i with rd = 1 (ignored by implementations, rejected by objdump)
	.word	0x0010100f	# fence.i with imm = 1
	.word	0xd2051553	# fcvt.d.w with rm = rtz
	.word	0xd2057553	# fcvt.d.w with rm = dyn
	.word	0x4205f553	# fcvt.d.s with rm = dyn
	.word	0x02c5d553	# fadd.d with rm = 5 (reserved: traps at run time)
	.word	0x02c5e553	# fadd.d with rm = 6
	.word	0x0100000f	# fence w,0
	.word	0x0000000f	# fence 0,0
	.word	0x1330000f	# fence with fm = 1
	.word	0x8330008f	# fence.tso with rd = 1
	.word	0xc0001073	# csrrw zero,cycle,zero: objdump calls it unimp
	.word	0x000000f3	# ecall with rd = 1: illegal
	.word	0x00108073	# ebreak with rs1 = 1: illegal
	.word	0x1015a52f	# lr.w with rs2 = 1: illegal
	.word	0x0005a52f	# amoadd.w
	.word	0x4000d013	# srai zero,ra,0x0
	.word	0x4200d013	# srai zero,ra,0x20 (shamt bit 5 is bit 25)
	.word	0x0200101b	# slliw with imm[5] = 1: illegal
