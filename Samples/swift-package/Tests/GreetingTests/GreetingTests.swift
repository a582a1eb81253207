import Greeting
import Testing

@Test func greetsByName() {
    #expect(Greeting(name: "Ada").text == "Hello, Ada!")
}

@Test func emptyNameGreetsTheWorld() {
    #expect(Greeting(name: "").text == "Hello, world!")
}
