import { hashPassword, verifyPassword } from "../../lib/auth/passwords";

describe("passwords", () => {
  it("hashes with a salt and verifies", async () => {
    const one = await hashPassword("contraseña segura");
    const two = await hashPassword("contraseña segura");
    expect(one).not.toBe(two);
    expect(one.startsWith("scrypt$")).toBe(true);
    expect(await verifyPassword("contraseña segura", one)).toBe(true);
    expect(await verifyPassword("contraseña Segura", one)).toBe(false);
  });

  it("rejects malformed stored hashes instead of throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "bcrypt$whatever")).toBe(false);
  });
});
