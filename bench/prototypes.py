"""placeholder"""
def install(variant):
    pass
